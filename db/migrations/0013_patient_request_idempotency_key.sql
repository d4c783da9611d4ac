ALTER TABLE "patient_requests" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "patient_requests" ADD COLUMN "idempotency_fingerprint" text;--> statement-breakpoint
CREATE UNIQUE INDEX "patient_requests_idempotency_key" ON "patient_requests" USING btree ("idempotency_key");--> statement-breakpoint
ALTER TABLE "patient_requests" ADD CONSTRAINT "patient_requests_idempotency" CHECK (("patient_requests"."idempotency_key" is null) = ("patient_requests"."idempotency_fingerprint" is null));