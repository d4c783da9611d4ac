CREATE TABLE "notification_dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notification_key" text NOT NULL,
	"kind" text NOT NULL,
	"case_ref" text,
	"platform" "chat_platform" NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"reason" text NOT NULL,
	"error_code" text NOT NULL,
	"attempts" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	CONSTRAINT "notification_dead_letters_reason" CHECK ("notification_dead_letters"."reason" in ('PERMANENT', 'RETRIES_EXHAUSTED'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "notification_dead_letters_once_uq" ON "notification_dead_letters" USING btree ("notification_key","platform","workspace_id","channel_id");--> statement-breakpoint
CREATE INDEX "notification_dead_letters_unresolved_idx" ON "notification_dead_letters" USING btree ("created_at") WHERE "notification_dead_letters"."resolved_at" is null;