export * from './adapter/index';
export * from './errors/index';
export * from './http/index';
export * from './model/index';
export * from './pagination/index';
