# Secret containers only. Values are added by operators
#   printf %s "$VALUE" | gcloud secrets versions add <secret-id> --data-file=-
# so no secret value is ever in Terraform code, plans or state.
resource "google_secret_manager_secret" "secret" {
  for_each = local.secrets

  project   = var.project
  secret_id = each.value
  labels    = { app = var.name_prefix }

  # Keep the replicas in the functions' region: secrets stay where the data is processed
  # and reads stay in-region.
  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.api]
}
