// A command line that cannot be right: the commands print the message with their usage
// and exit 2, as ipvsadm does.
export class UsageError extends Error {
  override name = 'UsageError';
}
