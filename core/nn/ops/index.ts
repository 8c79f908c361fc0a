export * from './elementwise';
export * from './linalg';
export * from './nn';
export * from './reduce';
export * from './shape';
export { lift, type TensorLike } from './util';
