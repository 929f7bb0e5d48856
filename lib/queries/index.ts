export * from './types';
export * from './params';
export * from './registry';
