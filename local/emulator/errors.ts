/** An error the emulator answers with, as the service does: HTTP 400 `{"__type","message"}`. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400
  ) {
    super(message)
    this.name = type
  }
}
