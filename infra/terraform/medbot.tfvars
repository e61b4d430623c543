# The operator's settings for one MedBot deployment: the ONE file both the README's
# deploy commands and cloudbuild.yaml pass to Terraform (-var-file=medbot.tfvars).
# Edit it for your project and commit it in your deployment's repository. Nothing in it
# is secret: secret values go to Secret Manager (README, "Deploying").
#
# Per deploy, and so NOT here, both also pass: -var project=<project id>
#   -var source_bucket=<bucket of the zipped sources> -var source_object=<zip name from
#   scripts/package.py>. tests/unit/test_deploy_config.py keeps README and Cloud Build
#   in step with this file, variable for variable.

region      = "asia-east1"
name_prefix = "medbot"

# Monitoring alerts (required). The example.org address is refused at plan time on
# purpose: put a real mailbox here.
alert_email = "oncall@example.org"

# E-mailed leaflets. Empty smtp_host: the e-mail worker sends nothing (plan warns).
smtp_host     = ""
smtp_port     = 465
smtp_security = "ssl"
smtp_user     = ""
mail_from     = "MedBot <medbot@example.org>"

# Gemini on Vertex AI: the models (generally available ones only), where prompts and
# speech are processed, and the requests per minute the project may send.
gemini_model               = "gemini-3.8-flash"
gemini_tts_model           = "gemini-3.8-flash-tts"
gemini_location            = "global"
gemini_requests_per_minute = 60

# Taiwanese (Taigi) speech; empty: a labelled offline stand-in answers.
ivoice_base_url = "http://tts001.ivoice.tw:8804"

# Emergency number named when a patient's time zone and language do not tell the
# region (a Taiwan deployment: "119").
emergency_number_default = "112"

# Cost and quota guards.
webhook_max_instances   = 10
line_monthly_push_quota = 200

# Retention of personal data in the private bucket, in days.
audio_retention_days   = 1
handout_retention_days = 1
archive_retention_days = 365
