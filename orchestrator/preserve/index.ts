export * from './manifest';
export * from './store';
