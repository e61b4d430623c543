# Private bucket for generated audio (audio/, fetched by LINE through short-lived signed
# URLs), printable handouts (handouts/) and doctor's reports (reports/), opened by the
# patient through signed links, and
# the archive (archive/). Nothing in it is ever public. Every top-level area the code
# writes has a Delete rule below (tests/unit/test_terraform.py checks the list).
resource "google_storage_bucket" "private" {
  #checkov:skip=CKV_GCP_78:Versioning is deliberately off. Every object is written once under a unique name and never overwritten, so versions would protect nothing; with versioning on, the lifecycle "Delete" only turns objects noncurrent and the patients' voice recordings and leaflets would outlive the promised 1-day/365-day retention.
  #checkov:skip=CKV_GCP_62:Object access is audited with Cloud Audit Logs (DATA_READ/DATA_WRITE for storage.googleapis.com, google_project_iam_audit_config.storage below), which Google recommends over legacy usage logs; a usage-log bucket would be one more store of access records to secure and expire.
  project  = var.project
  name     = local.bucket_name
  location = var.region
  # Objects are only ever read by the functions and, via signed URLs, by LINE.
  storage_class = "STANDARD"

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Keep the data if someone runs destroy with objects inside.
  force_destroy = false

  versioning {
    enabled = false
  }

  # Audio only needs to live until LINE has fetched it (signed URLs last 1 h).
  lifecycle_rule {
    condition {
      age            = var.audio_retention_days
      matches_prefix = ["audio/"]
    }
    action {
      type = "Delete"
    }
  }

  # A handout (HTML page + PDF of a leaflet) is rendered afresh at every request and
  # only opened through its signed link (SIGNED_URL_TTL_S, 1 h).
  lifecycle_rule {
    condition {
      age            = var.handout_retention_days
      matches_prefix = ["handouts/", "reports/"]
    }
    action {
      type = "Delete"
    }
  }

  # A patient's schedule as a calendar file (.ics, "Add to calendar"), written afresh at
  # every request and only opened through its signed link (CALENDAR_LINK_TTL_S, 1 h):
  # a day, the shortest age a rule has.
  lifecycle_rule {
    condition {
      age            = 1
      matches_prefix = ["calendar/"]
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age            = var.archive_retention_days
      matches_prefix = ["archive/"]
    }
    action {
      type = "Delete"
    }
  }

  # Soft delete would keep "deleted" personal data for another 7 days by default; the
  # lifecycle deletions above are meant to be final.
  soft_delete_policy {
    retention_duration_seconds = 0
  }

  depends_on = [google_project_service.api]
}

# Who read or wrote which object, in Cloud Logging (audio and leaflets are health data).
# Note: this resource is authoritative for storage.googleapis.com's audit config in the
# project; merge any other storage audit settings here.
resource "google_project_iam_audit_config" "storage" {
  project = var.project
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }

  depends_on = [google_project_service.api]
}
