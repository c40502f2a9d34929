# Customer-managed keys, rotated yearly.
data "aws_iam_policy_document" "logs_key" {
  # checkov:skip=CKV_AWS_109: key policies must grant the account root kms:* — it only delegates to IAM; the resource is the key itself
  # checkov:skip=CKV_AWS_111: same: the root statement of a key policy cannot be narrowed below the key it is attached to
  # checkov:skip=CKV_AWS_356: "*" in a key policy means "this key"; it cannot name its own ARN
  statement {
    sid       = "AccountRoot"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:*"]
    }
  }
}

# Default key policy: the account root only (delegates to IAM policies, which are scoped).
data "aws_iam_policy_document" "default_key" {
  # checkov:skip=CKV_AWS_109: key policies must grant the account root kms:* — it only delegates to IAM; the resource is the key itself
  # checkov:skip=CKV_AWS_111: same: the root statement of a key policy cannot be narrowed below the key it is attached to
  # checkov:skip=CKV_AWS_356: "*" in a key policy means "this key"; it cannot name its own ARN
  statement {
    sid       = "AccountRoot"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

data "aws_iam_policy_document" "sns_key" {
  # checkov:skip=CKV_AWS_109: key policies must grant the account root kms:* — it only delegates to IAM; the resource is the key itself
  # checkov:skip=CKV_AWS_111: same: the root statement of a key policy cannot be narrowed below the key it is attached to
  # checkov:skip=CKV_AWS_356: "*" in a key policy means "this key"; it cannot name its own ARN
  source_policy_documents = [data.aws_iam_policy_document.default_key.json]
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "logs" {
  description             = "${var.name} CloudWatch Logs (flow logs, EKS control plane)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.logs_key.json
}

resource "aws_kms_key" "eks" {
  description             = "${var.name} EKS secrets envelope encryption"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.default_key.json
}

resource "aws_kms_key" "rds" {
  description             = "${var.name} RDS storage and master secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.default_key.json
}

resource "aws_kms_key" "s3" {
  description             = "${var.name} S3 media bucket"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.default_key.json
}

resource "aws_kms_key" "ecr" {
  description             = "${var.name} ECR repositories"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.default_key.json
}

resource "aws_kms_key" "payments" {
  description             = "${var.name} Stripe secret key"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.default_key.json
}

resource "aws_kms_key" "sns" {
  description             = "${var.name} alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.sns_key.json
}
