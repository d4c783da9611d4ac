/**
 * The bot's HTTP server and its front ends: one express app serving Slack's
 * `/slack/events` (or Slack over Socket Mode), Teams' `/api/messages`, a
 * health check, and the patient's choice pages (web/). The shared handlers are built once
 * here; the chat directory file is applied before the first request.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { API_BASE_PATH } from '../api/openapi';
import { createOperatorApi } from '../api/operator-api';
import type { Db } from '../db/client';
import { unresolvedDeadLetterCount } from '../db/dead-letters';
import type { CapacityClient } from '../workflows/capacity-client';
import type { JourneyClient } from '../workflows/client';
import type { JourneyPolicy } from '../workflows/contract';
import { patientSite } from '../web/patient-site';
import { basePathOf } from '../web/site-path';
import type { BotConfig } from './config';
import { ChatHandlers } from './core/chat-handlers';
import { seedDirectoryFile } from './core/directory-seed';
import { PatientLinks } from './core/patient-links';
import { PatientRequests, type PatientRequestsOptions } from '../workflows/patient-requests';
import { refuseReplayedSlackRequests } from './slack/replay-guard';
import { SLACK_EVENTS_PATH, createSlackApp, type SlackApp, type SlackAppOptions } from './slack/slack-app';
import {
  createTeamsApp,
  TEAMS_MESSAGES_PATH,
  type TeamsApp,
  type TeamsAppOptions,
  type TeamsSettings,
} from './teams/teams-app';

export interface BotServerDeps {
  db: Db;
  journeys: JourneyClient;
  capacity: CapacityClient;
  policy: JourneyPolicy;
  config: BotConfig;
  /** Defaults to all interfaces (to 127.0.0.1 when Teams runs unauthenticated in local mode). */
  host?: string;
  /** Extra Slack options (tests: a quick retry policy, a known bot user). */
  slack?: Partial<SlackAppOptions>;
  /** Extra Teams options (tests: authentication endpoints of a local fake). */
  teams?: Partial<Pick<TeamsAppOptions, 'answerBudgetMs'>> &
    Pick<TeamsSettings, 'authOverrides' | 'credentialsFactory'>;
  /** Patient-initiated requests: on when given and a PATIENT_LINK_SECRET is set (their links are signed with it). */
  patientInitiated?: Omit<PatientRequestsOptions, 'db' | 'secret' | 'baseUrl' | 'now'>;
  now?: () => Date;
}

export interface BotServer {
  url: string;
  handlers: ChatHandlers;
  patientRequests?: PatientRequests;
  slack?: SlackApp;
  teams?: TeamsApp;
  close(): Promise<void>;
}

export async function startBotServer(deps: BotServerDeps): Promise<BotServer> {
  const { db, config } = deps;
  if (config.directoryFile) await seedDirectoryFile(db, config.directoryFile);
  const http = express();
  http.disable('x-powered-by');
  // For the operator's monitoring: the database answers, and how many notifications wait in the dead letters.
  http.get('/healthz', async (_req, res) => {
    try {
      res.json({ ok: true, undeliveredNotifications: await unresolvedDeadLetterCount(db) });
    } catch {
      res.status(503).json({ ok: false, problem: 'The database is not answering.' });
    }
  });
  // Teams in local mode takes unauthenticated activities: then only this machine may reach the server.
  const host = deps.host ?? (config.teams?.local ? '127.0.0.1' : '0.0.0.0');
  const server: Server = await new Promise((resolve, reject) => {
    const listening = http.listen(config.httpPort, host, () => resolve(listening));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  const patientLinks =
    config.patientLink &&
    new PatientLinks({
      db,
      secret: config.patientLink.secret,
      ttlMs: config.patientLink.ttlMs,
      baseUrl: config.publicBaseUrl ?? url,
      now: deps.now,
    });
  const patientRequests =
    config.patientLink && deps.patientInitiated
      ? new PatientRequests({
          ...deps.patientInitiated,
          db,
          secret: config.patientLink.secret,
          baseUrl: config.publicBaseUrl ?? url,
          now: deps.now,
        })
      : undefined;
  // The operator API (API keys, JSON, its OpenAPI document at /api/v1/openapi.json); mounted once patient requests,
  // whose links are signed with this server's address, exist.
  http.use(
    API_BASE_PATH,
    createOperatorApi({ db, journeys: deps.journeys, capacity: deps.capacity, patientRequests, now: deps.now }),
  );
  const handlers = new ChatHandlers({
    db,
    journeys: deps.journeys,
    capacity: deps.capacity,
    policy: deps.policy,
    patientLinks,
    patientRequests,
    now: deps.now,
  });
  // The patient's pages, where the links issued above lead: the choice, and a patient's own request to move.
  if (patientLinks) {
    // Routed at the root; their addresses carry PUBLIC_BASE_URL's path, which a reverse proxy strips on the way in.
    const basePath = basePathOf(config.publicBaseUrl);
    http.use(patientSite({ db, journeys: deps.journeys, patientLinks, patientRequests, basePath, now: deps.now }));
  }
  // Over HTTP, a request Slack signed once is taken once: mounted before Bolt's receiver.
  if (config.slack?.signingSecret && !config.slack.appToken) {
    http.post(SLACK_EVENTS_PATH, ...refuseReplayedSlackRequests({ db, signingSecret: config.slack.signingSecret }));
  }
  const slack =
    config.slack &&
    createSlackApp({
      handlers,
      botToken: config.slack.botToken,
      signingSecret: config.slack.signingSecret,
      appToken: config.slack.appToken,
      slackApiUrl: config.slack.apiUrl,
      httpApp: http,
      ...deps.slack,
    });
  const teams =
    config.teams &&
    createTeamsApp({
      db,
      handlers,
      settings: {
        ...config.teams,
        authOverrides: deps.teams?.authOverrides,
        credentialsFactory: deps.teams?.credentialsFactory,
      },
      answerBudgetMs: deps.teams?.answerBudgetMs,
    });
  if (teams) {
    http.post(TEAMS_MESSAGES_PATH, express.json({ limit: '1mb' }), (req, res) => {
      void teams.adapter.process(req, res, (context) => teams.app.run(context).then(() => undefined));
    });
  }
  try {
    await slack?.start();
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    url,
    handlers,
    patientRequests,
    slack,
    teams,
    async close() {
      await slack?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
