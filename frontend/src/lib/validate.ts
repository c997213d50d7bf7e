/** What the API accepts, checked before sending so that a person learns it next to the field. */

const USERNAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const SYMBOL_RE = /^[A-Za-z0-9]{1,5}$/;
const FILENAME_RE = /^[A-Za-z0-9_.-]{1,128}$/;

export function usernameError(value: string): string | null {
  const text = String(value ?? '').trim();
  if (!text) return 'Enter a username.';
  if (!USERNAME_RE.test(text)) {
    return 'Use 1 to 64 letters, digits, dots, dashes or underscores (no spaces).';
  }
  return null;
}

export function passwordError(value: string): string | null {
  const text = String(value ?? '');
  if (!text) return 'Enter a password.';
  if (text.length < 8) return 'The password must be at least 8 characters long.';
  if (text.length > 128) return 'The password must be at most 128 characters long.';
  return null;
}

/** The symbol as the API stores it (trimmed, upper case), or null. */
export function normalizeSymbol(value: string | null | undefined): string | null {
  const text = String(value ?? '').trim().toUpperCase();
  return SYMBOL_RE.test(text) ? text : null;
}

export function symbolError(value: string): string | null {
  if (!String(value ?? '').trim()) return 'Enter a stock symbol, like ABC.';
  return normalizeSymbol(value) ? null : 'A symbol is 1 to 5 letters or digits, like ABC.';
}

export function filenameError(value: string): string | null {
  const text = String(value ?? '').trim();
  if (!text) return 'Enter a file name.';
  if (!FILENAME_RE.test(text) || text.startsWith('.')) {
    return 'Use letters, digits, dots, dashes or underscores, not starting with a dot.';
  }
  return null;
}
