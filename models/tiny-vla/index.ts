export * from './config';
export * from './model';
export * from './policy';
export * from './sampling';
export * from './tokenizer';
