/** An error meant for the person at the keyboard: its message is one complete line. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
