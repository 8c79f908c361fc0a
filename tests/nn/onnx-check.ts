import { execFileSync } from 'node:child_process';

/** Run the ONNX checker (Debian python3-onnx 1.12, full_check) on a file; throws with its message on failure. */
export function onnxCheck(path: string): void {
  execFileSync(
    '/usr/bin/python3',
    ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path],
    { stdio: 'pipe' },
  );
}
