# Provider and Terraform versions.
#
# Only the "google" provider is needed: every resource used here (Cloud Functions 2nd gen,
# Cloud Tasks, Cloud Scheduler, Firestore database/field/index, log-based metrics) is GA.
# Add google-beta only if a beta-only argument becomes necessary.
#
# State is kept in a GCS bucket the operator names at `terraform init
# -backend-config=bucket=...` (cloudbuild.yaml does so). State holds no secret values:
# secrets are created empty here and their versions are added by operators.

terraform {
  # State lives where the operator says: `terraform init -backend-config=bucket=...`.
  backend "gcs" {}

  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source = "hashicorp/google"
      # 6.x and 7.x both carry every argument used here (ttl_config, service_config
      # concurrency/cpu, public_access_prevention, firestore delete protection).
      version = ">= 6.0, < 8.0"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.region

  # Lets billing and log views be filtered down to this bot in a shared project.
  default_labels = {
    app = var.name_prefix
  }
}
