export * from './manifest';
export * from './preserve';
export * from './store';
