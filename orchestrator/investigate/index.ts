export * from './types';
export * from './investigate';
export * from './protection';
export * from './containment';
export * from './impact';
export * from './render';
export * from './demo';
export * from './read-result';
