CREATE TABLE "slack_requests_seen" (
	"signature" text PRIMARY KEY NOT NULL,
	"remembered_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "slack_requests_seen_until_idx" ON "slack_requests_seen" USING btree ("remembered_until");