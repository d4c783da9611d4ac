CREATE INDEX "capacity_postings_organisation_idx" ON "capacity_postings" USING btree ("organisation_id","posted_at","id");--> statement-breakpoint
CREATE INDEX "cases_origin_wait_idx" ON "cases" USING btree ("origin_org_id","rtt_clock_start","case_ref");--> statement-breakpoint
CREATE INDEX "cases_origin_listed_idx" ON "cases" USING btree ("origin_org_id","listed_at");