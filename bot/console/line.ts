/** One line of the console transcript: local clock time, a short tag, the text. */
export type LineTag = 'chat' | 'act' | 'info';

const TAGS: Record<LineTag, string> = { chat: 'chat', act: 'act ', info: '    ' };

export function consoleLine(at: Date, tag: LineTag, text: string): string {
  const clock = [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  return `${clock} ${TAGS[tag]} ${text}`;
}
