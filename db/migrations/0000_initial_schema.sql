CREATE TYPE "public"."approval_side" AS ENUM('ORIGIN_RELEASE', 'RECEIVING_ACCEPTANCE');--> statement-breakpoint
CREATE TYPE "public"."care_type" AS ENUM('ADMITTED', 'OUTPATIENT', 'DIAGNOSTIC', 'CANCER');--> statement-breakpoint
CREATE TYPE "public"."case_state" AS ENUM('LISTED', 'OPEN_FOR_OFFERS', 'CHOOSING', 'AWAITING_APPROVAL', 'APPROVED', 'TRANSFERRED', 'RELISTED', 'WITHDRAWN', 'CLOSED');--> statement-breakpoint
CREATE TYPE "public"."chat_platform" AS ENUM('SLACK', 'TEAMS');--> statement-breakpoint
CREATE TYPE "public"."choice_outcome" AS ENUM('ACCEPTED_OFFER', 'DECLINED_ALL', 'STAYED_LOCAL');--> statement-breakpoint
CREATE TYPE "public"."diagnostic_modality" AS ENUM('MRI', 'CT', 'NON_OBSTETRIC_ULTRASOUND', 'BARIUM_ENEMA', 'DEXA', 'AUDIOLOGY', 'ECHOCARDIOGRAPHY', 'ELECTROPHYSIOLOGY', 'NEUROPHYSIOLOGY', 'SLEEP_STUDY', 'URODYNAMICS', 'COLONOSCOPY', 'FLEXI_SIGMOIDOSCOPY', 'CYSTOSCOPY', 'GASTROSCOPY');--> statement-breakpoint
CREATE TYPE "public"."offer_status" AS ENUM('LIVE', 'WITHDRAWN', 'EXPIRED', 'CHOSEN', 'NOT_CHOSEN', 'DECLINED', 'REJECTED', 'LAPSED');--> statement-breakpoint
CREATE TYPE "public"."organisation_kind" AS ENUM('NHS_TRUST', 'INDEPENDENT_PROVIDER');--> statement-breakpoint
CREATE TYPE "public"."priority" AS ENUM('P1', 'P2', 'P3', 'P4');--> statement-breakpoint
CREATE TYPE "public"."region" AS ENUM('NORTH_EAST_AND_YORKSHIRE', 'NORTH_WEST', 'MIDLANDS', 'EAST_OF_ENGLAND', 'LONDON', 'SOUTH_EAST', 'SOUTH_WEST');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('CLINICIAN', 'MANAGER', 'COORDINATOR', 'ADMIN', 'ESCALATION_LEAD');--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_ref" text NOT NULL,
	"offer_id" uuid NOT NULL,
	"side" "approval_side" NOT NULL,
	"approved" boolean NOT NULL,
	"reason" text,
	"decided_by" uuid NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	CONSTRAINT "approvals_rejection_has_reason" CHECK ("approvals"."approved" or coalesce(length(trim("approvals"."reason")), 0) > 0)
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"case_ref" text,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"actor_person_id" uuid,
	"actor_kind" text NOT NULL,
	"organisation_id" uuid,
	"channel" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"idempotency_key" text,
	CONSTRAINT "audit_log_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "audit_log_outcome" CHECK ("audit_log"."outcome" in ('OK', 'REFUSED')),
	CONSTRAINT "audit_log_actor_kind" CHECK ("audit_log"."actor_kind" in ('PERSON', 'PATIENT', 'SYSTEM'))
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"case_ref" text PRIMARY KEY NOT NULL,
	"origin_org_id" uuid NOT NULL,
	"nhs_number" text NOT NULL,
	"specialty_code" text NOT NULL,
	"procedure" text NOT NULL,
	"opcs_code" text,
	"care_type" "care_type" NOT NULL,
	"diagnostic_modality" "diagnostic_modality",
	"priority" "priority" NOT NULL,
	"rtt_clock_start" date NOT NULL,
	"bmi" numeric(4, 1) NOT NULL,
	"asa" smallint NOT NULL,
	"age_band" text NOT NULL,
	"needs_critical_care" boolean NOT NULL,
	"outcode" text NOT NULL,
	"max_travel_miles" integer,
	"travel_needs" text[] DEFAULT '{}'::text[] NOT NULL,
	"appropriateness_judged_by" uuid NOT NULL,
	"listed_by" uuid NOT NULL,
	"listed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"state" "case_state" DEFAULT 'LISTED' NOT NULL,
	"state_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"round" integer DEFAULT 1 NOT NULL,
	"closed_reason" text,
	"declined_offer_count" integer DEFAULT 0 NOT NULL,
	"flagged_for_review_at" timestamp with time zone,
	CONSTRAINT "cases_case_ref_format" CHECK ("cases"."case_ref" ~ '^MA-[0-9A-HJKMNP-TV-Z]{8}$'),
	CONSTRAINT "cases_nhs_number_format" CHECK ("cases"."nhs_number" ~ '^[0-9]{10}$'),
	CONSTRAINT "cases_bmi_range" CHECK ("cases"."bmi" between 10 and 80),
	CONSTRAINT "cases_asa_range" CHECK ("cases"."asa" between 1 and 4),
	CONSTRAINT "cases_max_travel_positive" CHECK ("cases"."max_travel_miles" is null or "cases"."max_travel_miles" > 0),
	CONSTRAINT "cases_modality_iff_diagnostic" CHECK (("cases"."care_type" = 'DIAGNOSTIC') = ("cases"."diagnostic_modality" is not null))
);
--> statement-breakpoint
CREATE TABLE "chat_identities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"platform" "chat_platform" NOT NULL,
	"workspace_id" text NOT NULL,
	"external_user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "choices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_ref" text NOT NULL,
	"round" integer NOT NULL,
	"outcome" "choice_outcome" NOT NULL,
	"offer_id" uuid,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "choices_offer_iff_accepted" CHECK (("choices"."outcome" = 'ACCEPTED_OFFER') = ("choices"."offer_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"person_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"role" "role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_person_id_organisation_id_role_pk" PRIMARY KEY("person_id","organisation_id","role")
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"case_ref" text,
	"kind" text NOT NULL,
	"audience" jsonb NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "notification_outbox_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "offers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_ref" text NOT NULL,
	"round" integer NOT NULL,
	"provider_org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"proposed_date" date NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"clinical_team" text NOT NULL,
	"notes" text,
	"status" "offer_status" DEFAULT 'LIVE' NOT NULL,
	"made_by" uuid NOT NULL,
	"made_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "offers_valid_after_made" CHECK ("offers"."valid_until" > "offers"."made_at"),
	CONSTRAINT "offers_closed_when_not_live" CHECK (("offers"."status" = 'LIVE') = ("offers"."closed_at" is null))
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ods_code" text NOT NULL,
	"name" text NOT NULL,
	"kind" "organisation_kind" NOT NULL,
	"region" "region" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_ods_code_unique" UNIQUE("ods_code"),
	CONSTRAINT "organisations_ods_code_format" CHECK ("organisations"."ods_code" ~ '^[A-Z0-9]{3,6}$')
);
--> statement-breakpoint
CREATE TABLE "patients" (
	"case_ref" text PRIMARY KEY NOT NULL,
	"given_name" text NOT NULL,
	"family_name" text NOT NULL,
	"date_of_birth" date NOT NULL,
	"postcode" text NOT NULL,
	"local_patient_id" text NOT NULL,
	"gp_practice_code" text NOT NULL,
	"referring_org_ods" text NOT NULL,
	"ppid" text NOT NULL,
	"ppid_issuer_ods" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"display_name" text NOT NULL,
	"email" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "people_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "postcode_districts" (
	"outcode" text PRIMARY KEY NOT NULL,
	"latitude" double precision NOT NULL,
	"longitude" double precision NOT NULL,
	"town" text,
	"county" text,
	"country" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"site_code" text NOT NULL,
	"name" text NOT NULL,
	"town" text NOT NULL,
	"postcode" text NOT NULL,
	"outcode" text NOT NULL,
	"latitude" double precision NOT NULL,
	"longitude" double precision NOT NULL,
	"max_bmi" numeric(4, 1) NOT NULL,
	"max_asa" smallint NOT NULL,
	"has_critical_care" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sites_site_code_unique" UNIQUE("site_code"),
	CONSTRAINT "sites_max_asa_range" CHECK ("sites"."max_asa" between 1 and 4),
	CONSTRAINT "sites_max_bmi_range" CHECK ("sites"."max_bmi" between 10 and 80)
);
--> statement-breakpoint
CREATE TABLE "transfer_datasets" (
	"case_ref" text PRIMARY KEY NOT NULL,
	"receiving_org_id" uuid NOT NULL,
	"dataset" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "treatment_functions" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_case_ref_cases_case_ref_fk" FOREIGN KEY ("case_ref") REFERENCES "public"."cases"("case_ref") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_offer_id_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "public"."offers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_decided_by_people_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_origin_org_id_organisations_id_fk" FOREIGN KEY ("origin_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_specialty_code_treatment_functions_code_fk" FOREIGN KEY ("specialty_code") REFERENCES "public"."treatment_functions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_outcode_postcode_districts_outcode_fk" FOREIGN KEY ("outcode") REFERENCES "public"."postcode_districts"("outcode") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_appropriateness_judged_by_people_id_fk" FOREIGN KEY ("appropriateness_judged_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_listed_by_people_id_fk" FOREIGN KEY ("listed_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_identities" ADD CONSTRAINT "chat_identities_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "choices" ADD CONSTRAINT "choices_case_ref_cases_case_ref_fk" FOREIGN KEY ("case_ref") REFERENCES "public"."cases"("case_ref") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "choices" ADD CONSTRAINT "choices_offer_id_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "public"."offers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "choices" ADD CONSTRAINT "choices_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD CONSTRAINT "notification_outbox_case_ref_cases_case_ref_fk" FOREIGN KEY ("case_ref") REFERENCES "public"."cases"("case_ref") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offers" ADD CONSTRAINT "offers_case_ref_cases_case_ref_fk" FOREIGN KEY ("case_ref") REFERENCES "public"."cases"("case_ref") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offers" ADD CONSTRAINT "offers_provider_org_id_organisations_id_fk" FOREIGN KEY ("provider_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offers" ADD CONSTRAINT "offers_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offers" ADD CONSTRAINT "offers_made_by_people_id_fk" FOREIGN KEY ("made_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_case_ref_cases_case_ref_fk" FOREIGN KEY ("case_ref") REFERENCES "public"."cases"("case_ref") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_outcode_postcode_districts_outcode_fk" FOREIGN KEY ("outcode") REFERENCES "public"."postcode_districts"("outcode") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_datasets" ADD CONSTRAINT "transfer_datasets_case_ref_cases_case_ref_fk" FOREIGN KEY ("case_ref") REFERENCES "public"."cases"("case_ref") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_datasets" ADD CONSTRAINT "transfer_datasets_receiving_org_id_organisations_id_fk" FOREIGN KEY ("receiving_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_one_per_side" ON "approvals" USING btree ("offer_id","side");--> statement-breakpoint
CREATE INDEX "audit_log_case_idx" ON "audit_log" USING btree ("case_ref","id");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_one_live_listing_per_patient" ON "cases" USING btree ("origin_org_id","nhs_number") WHERE "cases"."state" not in ('WITHDRAWN', 'CLOSED', 'TRANSFERRED');--> statement-breakpoint
CREATE INDEX "cases_state_idx" ON "cases" USING btree ("state");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_identities_external_uq" ON "chat_identities" USING btree ("platform","workspace_id","external_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "choices_one_per_round" ON "choices" USING btree ("case_ref","round");--> statement-breakpoint
CREATE INDEX "memberships_organisation_role_idx" ON "memberships" USING btree ("organisation_id","role");--> statement-breakpoint
CREATE INDEX "notification_outbox_undelivered_idx" ON "notification_outbox" USING btree ("created_at") WHERE "notification_outbox"."delivered_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "offers_one_live_offer_per_provider" ON "offers" USING btree ("case_ref","provider_org_id") WHERE "offers"."status" = 'LIVE';--> statement-breakpoint
CREATE INDEX "offers_case_idx" ON "offers" USING btree ("case_ref");--> statement-breakpoint
CREATE INDEX "sites_organisation_idx" ON "sites" USING btree ("organisation_id");