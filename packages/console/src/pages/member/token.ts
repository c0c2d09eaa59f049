/** A token typed or pasted: the token itself, or the whole link the QR code holds. */
export function tokenOf(input: string): string {
  const text = input.trim();
  try {
    const url = new URL(text);
    return url.searchParams.get('token') ?? text;
  } catch {
    return text;
  }
}
