/** The chat notifiers a worker sends with, from the bot's configuration: Slack and Teams, each when configured. */
import type { Db } from '../db/client';
import type { Notifier } from '../domain/notifications';
import type { BotConfig } from './config';
import { createSlackNotifier } from './slack/slack-notifier';
import { createTeamsNotifier } from './teams/teams-notifier';

export function chatNotifiers(db: Db, config: BotConfig): Notifier[] {
  return [
    ...(config.slack ? [createSlackNotifier(db, config.slack)] : []),
    ...(config.teams ? [createTeamsNotifier(db, config.teams)] : []),
  ];
}
