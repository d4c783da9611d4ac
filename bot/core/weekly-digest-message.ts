/**
 * The weekly managers' digest as a channel-neutral message: the week in one
 * sentence, the trust's longer period as facts, and one short section per
 * specialty (no buttons: it is aggregate, and names no case). Slack, Teams and
 * the console render it like any other message, within their own limits.
 */
import { message, type ChatMessage, type MessageSection } from './message';
import { weeklyDigestSentence, weeklyDigestText } from './weekly-digest-text';

/** Specialties shown in one message (two Block Kit blocks each, within Slack's fifty); the rest are counted. */
export const MAX_SPECIALTIES_PER_DIGEST = 20;

export function weeklyDigestMessage(data: Record<string, unknown>, title: string, forWhom: string): ChatMessage {
  const text = weeklyDigestText(data);
  if (!text) {
    const sentence = weeklyDigestSentence(data);
    return message({ title, body: sentence, text: `${title} (${forWhom}): ${sentence}`, tone: 'warning' });
  }
  const sections = text.specialties.slice(0, MAX_SPECIALTIES_PER_DIGEST).map((specialty): MessageSection => ({
    title: specialty.title,
    text: specialty.lines.join('\n'),
    facts: [],
    actions: [],
  }));
  const hidden = text.specialties.length - sections.length;
  return message({
    title,
    body: text.sentence,
    facts: text.facts,
    sections,
    footnote:
      hidden > 0
        ? `${hidden} more ${hidden === 1 ? 'specialty' : 'specialties'} not shown here: the funnel report has every specialty.`
        : undefined,
    text: `${title} (${forWhom}): ${text.sentence}`,
  });
}

/** The console's one line: the sentence, then each specialty's funnel and waits in short form. */
export function weeklyDigestConsoleTail(data: Record<string, unknown>): string {
  const text = weeklyDigestText(data);
  if (!text) return '';
  return text.specialties
    .slice(0, MAX_SPECIALTIES_PER_DIGEST)
    .map((specialty) => ` | ${specialty.title}: ${specialty.brief}`)
    .join('');
}
