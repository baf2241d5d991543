/** A libtorch failure: names the op and its inputs (dtype[shape]), without the C++ backtrace. */
export class TorchError extends Error {
  constructor(
    message: string,
    readonly op: string,
    readonly inputs: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = "TorchError";
  }
}
