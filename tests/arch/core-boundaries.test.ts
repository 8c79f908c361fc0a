import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const FORBIDDEN =
  /(?:from\s+|import\(\s*|require\(\s*)['"](electron|react|react-dom)(?:\/[^'"]*)?['"]|\/\/\/\s*<reference\s+lib=['"]dom/;
const RENDERER_OR_SHELL = /(?:from\s+|import\(\s*)['"](?:\.\.\/)+(renderer|electron)\//;

it('core/ imports no electron, react or DOM types, and nothing from the shells', () => {
  const offenders = tsFiles('core').filter((f) => {
    const text = readFileSync(f, 'utf8');
    return FORBIDDEN.test(text) || RENDERER_OR_SHELL.test(text);
  });
  expect(offenders).toEqual([]);
});

it('core is typechecked without the DOM library', () => {
  const tsconfig = readFileSync('tsconfig.json', 'utf8');
  expect(tsconfig).not.toMatch(/"DOM/);
});

it('the renderer reaches core only through the API contract', () => {
  const offenders = tsFiles('renderer/src').filter((f) => {
    const imports = [...readFileSync(f, 'utf8').matchAll(/from\s+['"]((?:\.\.\/)+core\/[^'"]+)['"]/g)];
    return imports.some((m) => !/core\/api\/contract$/.test(m[1]!));
  });
  expect(offenders).toEqual([]);
});
