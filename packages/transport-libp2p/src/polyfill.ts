/**
 * Node 20 lacks `Promise.withResolvers` (Node 22 has it), and libp2p 3 calls it on every stream:
 * without it every dial fails with a bare ECONNRESET, far from the cause. This module installs
 * a spec-shaped replacement, only where the runtime has none, and must be imported before any
 * libp2p module is evaluated: index.ts imports it first.
 */

interface WithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseWithResolvers = PromiseConstructor & {
  withResolvers?: <T>() => WithResolvers<T>;
};

const P = Promise as PromiseWithResolvers;

/** True when this module had to install the polyfill (Node < 22). */
export const promiseWithResolversPolyfilled: boolean = typeof P.withResolvers !== 'function';

if (promiseWithResolversPolyfilled) {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T>(this: PromiseConstructor): WithResolvers<T> {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
