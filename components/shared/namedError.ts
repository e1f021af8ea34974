// The library's errors, readable however they are loaded. Code serialized by value (as state
// written before the provider shims holds it, or a user's own dynamic provider that imports
// ours) turns `super(message)` into `Error.call(this, message)`, which sets nothing on `this`,
// and gives a subclass without methods of its own a plain prototype, so neither `message`
// nor `String(err)` would survive. Both are set on the instance.

/** An Error whose `name`, `message` and `String(err)` survive being copied by value. */
export class NamedError extends Error {
    constructor(name: string, message: string) {
        super(message);
        this.message = message;
        this.name = name;
        Object.defineProperty(this, "toString", {
            value: () => `${this.name}: ${this.message}`,
            enumerable: false,
            configurable: true,
            writable: true,
        });
    }
}
