# Negative fixture for scripts/verify/tf_chart.py: a backend policy with a wildcard secret ARN
# (any secret whose name starts like the Stripe one) and an S3 action the backend never performs.
data "aws_iam_policy_document" "backend" {
  statement {
    sid       = "StripeSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:aws:secretsmanager:us-east-1:111122223333:secret:ecomm-prod/stripe-secret-key*"]
  }
  statement {
    sid       = "MediaObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:aws:s3:::ecomm-prod-media-111122223333/*"]
  }
}
