// aws-local-stepfunctions 3 declares Node >= 22 for Promise.withResolvers
// alone (its Task timeouts use it); Node 20 lacks it, so provide it first.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() { let resolve, reject; const promise = new this((res, rej) => { resolve = res; reject = rej; }); return { promise, resolve, reject }; };
}
