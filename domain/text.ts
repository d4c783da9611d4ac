/**
 * What free text typed by a person may hold: any character but the control
 * characters no one types (tab and line breaks aside). NUL above all, which
 * PostgreSQL cannot store in a text column: a value holding one passes every
 * length check and then fails the write, after the request was accepted.
 */

/** True when `text` holds a C0 control character other than tab, line feed or carriage return, or DEL. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if ((unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d) || unit === 0x7f) return true;
  }
  return false;
}
