# The Stripe secret key's secret. Terraform owns its name, KMS key and who may read it (exactly
# this ARN, terraform/iam.tf); the payments owner puts the key in as a secret version (console or
# CLI, never through Terraform state). The chart's backend.payments.stripeSecretArn is the output
# `stripe_secret_arn`. An existing secret is adopted with
# `terraform import aws_secretsmanager_secret.stripe <its ARN>`.
resource "aws_secretsmanager_secret" "stripe" {
  # checkov:skip=CKV2_AWS_57: a Stripe key is rolled in the Stripe dashboard and stored here as a new version, then the backend restarted (docs/runbook.md#secrets); no rotation Lambda can roll a third-party key
  name                    = "${var.name}/stripe-secret-key"
  description             = "Stripe secret key of the ecomm shop (value set out of band)"
  kms_key_id              = aws_kms_key.payments.arn
  recovery_window_in_days = 7
}
