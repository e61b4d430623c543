# Provider and Terraform versions.
#
# The "google" provider for every resource (all GA: Cloud Functions 2nd gen, Cloud Tasks,
# Cloud Scheduler, Firestore database/field/index, log-based metrics); "time" for the
# waits Google's eventual consistency needs (IAM grants, new log-based metrics).
#
# Exact versions, not ranges: a build must not pick up another provider release. The
# lock file with the registry's checksums (.terraform.lock.hcl) could not be generated
# here (no network to the registry); README "Provider versions" says how to add it.
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
      source  = "hashicorp/google"
      version = "7.28.0"
    }
    time = {
      source  = "hashicorp/time"
      version = "0.13.1"
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
