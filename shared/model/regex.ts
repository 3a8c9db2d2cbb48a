// The message browser's regular expressions are RE2 (re2js, a JavaScript port of Google's RE2):
// matching takes time linear in the text, whatever the pattern, because RE2 never backtracks. The
// price is that lookarounds and backreferences do not exist. Shared so the form refuses exactly what
// the main process would.
import { RE2JS } from 're2js';

/** Compiles with JavaScript-style flags (i, m, s; u is how RE2 always reads text). Throws a clear Error. */
export function compileRe2(pattern: string, flags = ''): RE2JS {
  let bits = 0;
  if (flags.includes('i')) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) bits |= RE2JS.MULTILINE;
  if (flags.includes('s')) bits |= RE2JS.DOTALL;
  try {
    return RE2JS.compile(pattern, bits);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    const hint = /\(\?<?[=!]|\\[1-9]/.test(pattern) ? ' Lookarounds and backreferences are not supported.' : '';
    throw new Error(`The regular expression is not valid RE2 syntax: ${reason}.${hint}`, { cause: error });
  }
}

/** Why a pattern is not valid RE2, or null. */
export function re2Error(pattern: string, flags = ''): string | null {
  try {
    compileRe2(pattern, flags);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
