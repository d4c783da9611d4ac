/**
 * The bot's text commands (Slack's `/mutualaid …`, a Teams message to the
 * bot): parsed into one typed command, or a sentence saying what was wrong
 * and how to write it. Pure, so every odd input is testable.
 */
import { REGIONS, ROLES, type Region, type Role } from '../../domain/codes';
import { WITHDRAW_REASONS, type WithdrawReason } from '../../domain/journey-states';
import { hasControlCharacter } from '../../domain/text';

export type ChannelRole = Extract<Role, 'CLINICIAN' | 'MANAGER' | 'COORDINATOR'>;

export type Command =
  | { kind: 'help' }
  | { kind: 'whoami' }
  | { kind: 'list'; ods?: string; organisationId?: string }
  | { kind: 'status'; caseRef: string }
  | { kind: 'withdraw'; caseRef: string; reason?: WithdrawReason }
  | { kind: 'choice'; caseRef: string }
  | { kind: 'link'; caseRef: string }
  | { kind: 'confirm'; caseRef: string; treatmentDate: string }
  | { kind: 'post'; ods?: string; organisationId?: string }
  | { kind: 'postings'; ods?: string }
  | { kind: 'connect'; audience: { role: ChannelRole; ods?: string } | { region: Region } }
  | { kind: 'adduser'; userId: string; ods: string; roles: Role[]; displayName: string };

export type ParsedCommand = { ok: true; command: Command } | { ok: false; message: string };

export const HELP_LINES: [string, string][] = [
  ['list [ODS]', 'List a patient for mutual aid (opens a form)'],
  ['status MA-XXXXXXXX', "A case's state, deadlines and offers"],
  ['choice MA-XXXXXXXX', "Record the patient's choice when they chose by phone"],
  ['link MA-XXXXXXXX', "Get the patient's one-time choice link, to pass on yourself"],
  ['withdraw MA-XXXXXXXX [reason]', 'Withdraw a case (reasons: ' + WITHDRAW_REASONS.join(', ').toLowerCase() + ')'],
  ['confirm MA-XXXXXXXX YYYY-MM-DD', 'Confirm the booked treatment date of an approved transfer'],
  ['post [ODS]', 'Post spare capacity (opens a form)'],
  ['postings [ODS]', 'Your open capacity postings, to edit or withdraw'],
  ['connect clinicians|managers|coordinators [ODS]', 'Admins: send that team’s notifications to this channel'],
  ['connect escalation REGION', 'Admins: send a region’s escalations to this channel'],
  ['adduser @person ODS ROLE[,ROLE] Full name', 'Admins: link a chat user to a person with roles'],
  ['whoami', 'Your organisations and roles in mutual aid'],
  ['help', 'This list'],
];

const CASE_REF = /^MA-[0-9A-HJKMNP-TV-Z]{8}$/;
const ODS = /^[A-Z0-9]{3,6}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Slack escapes a mentioned user as `<@U123ABC>` or `<@U123ABC|name>`; Teams sends the id itself. */
const USER_MENTION = /^<@([A-Z0-9]+)(?:\|[^>]*)?>$|^([A-Za-z0-9:_-]{3,64})$/;

const CHANNEL_ROLES: Record<string, ChannelRole> = {
  clinicians: 'CLINICIAN',
  managers: 'MANAGER',
  coordinators: 'COORDINATOR',
};

const usage = (name: string) => {
  const line = HELP_LINES.find(([syntax]) => syntax.startsWith(name));
  return line ? `Write it as \`${line[0]}\`.` : 'Type `help` for the commands.';
};

const caseRefArg = (word: string | undefined) => {
  const ref = word?.toUpperCase();
  return ref && CASE_REF.test(ref) ? ref : undefined;
};

export const MAX_COMMAND_LENGTH = 500;

export function parseCommand(text: string): ParsedCommand {
  if (text.length > MAX_COMMAND_LENGTH) {
    return { ok: false, message: `That command is too long (at most ${MAX_COMMAND_LENGTH} characters).` };
  }
  const words = text.trim().split(/\s+/).filter(Boolean);
  const name = (words[0] ?? 'help').toLowerCase();
  const args = words.slice(1);
  const fail = (why: string): ParsedCommand => ({ ok: false, message: `${why} ${usage(name)}` });
  const odsArg = (word: string | undefined): string | undefined | null => {
    if (word === undefined) return undefined;
    const ods = word.toUpperCase();
    return ODS.test(ods) ? ods : null;
  };

  switch (name) {
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    case 'whoami':
      return { ok: true, command: { kind: 'whoami' } };
    case 'list':
    case 'post':
    case 'postings': {
      const ods = odsArg(args[0]);
      if (ods === null) return fail('That is not an ODS code.');
      return { ok: true, command: { kind: name, ods } };
    }
    case 'status':
    case 'choice':
    case 'link': {
      const caseRef = caseRefArg(args[0]);
      if (!caseRef) return fail('Give a case reference, such as MA-7K2Q9XPD.');
      return { ok: true, command: { kind: name, caseRef } };
    }
    case 'withdraw': {
      const caseRef = caseRefArg(args[0]);
      if (!caseRef) return fail('Give a case reference, such as MA-7K2Q9XPD.');
      if (args[1] === undefined) return { ok: true, command: { kind: 'withdraw', caseRef } };
      const reason = args.slice(1).join('_').toUpperCase() as WithdrawReason;
      if (!WITHDRAW_REASONS.includes(reason)) return fail('That is not one of the reasons.');
      return { ok: true, command: { kind: 'withdraw', caseRef, reason } };
    }
    case 'confirm': {
      const caseRef = caseRefArg(args[0]);
      if (!caseRef) return fail('Give a case reference, such as MA-7K2Q9XPD.');
      if (!args[1] || !DATE.test(args[1])) return fail('Give the treatment date as YYYY-MM-DD.');
      return { ok: true, command: { kind: 'confirm', caseRef, treatmentDate: args[1] } };
    }
    case 'connect': {
      const what = args[0]?.toLowerCase();
      if (what === 'escalation') {
        const region = args[1]?.toUpperCase() as Region | undefined;
        if (!region || !REGIONS.includes(region)) return fail(`Name a region: ${REGIONS.join(', ')}.`);
        return { ok: true, command: { kind: 'connect', audience: { region } } };
      }
      const role = what ? CHANNEL_ROLES[what] : undefined;
      if (!role) return fail('Say which team: clinicians, managers, coordinators or escalation.');
      const ods = odsArg(args[1]);
      if (ods === null) return fail('That is not an ODS code.');
      return { ok: true, command: { kind: 'connect', audience: { role, ods } } };
    }
    case 'adduser': {
      const mention = args[0]?.match(USER_MENTION);
      const userId = mention?.[1] ?? mention?.[2];
      if (!userId) return fail('Mention the person to add.');
      const ods = odsArg(args[1]);
      if (!ods) return fail('Give their organisation’s ODS code.');
      const roles = (args[2] ?? '').toUpperCase().split(',').filter(Boolean) as Role[];
      if (roles.length === 0 || !roles.every((role) => ROLES.includes(role))) {
        return fail(`Give their roles, from ${ROLES.join(', ').toLowerCase()}.`);
      }
      const displayName = args.slice(3).join(' ').trim();
      if (displayName.length === 0 || displayName.length > 100 || hasControlCharacter(displayName))
        return fail('Give their full name (up to 100 characters).');
      return { ok: true, command: { kind: 'adduser', userId, ods, roles, displayName } };
    }
    default:
      // Never echoed back: whatever was typed might be a patient's details.
      return { ok: false, message: 'I do not know that command. Type `help` for the commands.' };
  }
}
