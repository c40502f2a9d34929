# One IAM role per Kubernetes service account (EKS Pod Identity), each scoped to the ARNs it
# needs; plus the GitHub Actions OIDC roles (no long-lived keys anywhere).

data "aws_iam_policy_document" "pod_identity_trust" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# --- backend (prod/ecomm-backend): media bucket, its KMS key, the DB application-role secret,
# the Stripe secret -------------------------------------------------------------------------
resource "aws_iam_role" "backend" {
  name               = "${var.name}-backend"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_trust.json
}

data "aws_iam_policy_document" "backend" {
  statement {
    sid = "MediaObjects"
    # Images are content-addressed and never deleted by the shop (a removed product keeps its
    # image for past orders), so no s3:DeleteObject.
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.media.arn}/*"]
  }
  statement {
    sid       = "MediaList"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.media.arn]
  }
  statement {
    sid       = "MediaKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.s3.arn]
  }
  statement {
    sid       = "DatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_secretsmanager_secret.db_app.arn]
  }
  statement {
    sid       = "DatabaseSecretKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.rds.arn]
  }
  statement {
    sid       = "StripeSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_secretsmanager_secret.stripe.arn]
  }
  statement {
    sid       = "StripeSecretKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.payments.arn]
  }
}

resource "aws_iam_role_policy" "backend" {
  name   = "backend"
  role   = aws_iam_role.backend.id
  policy = data.aws_iam_policy_document.backend.json
}

resource "aws_eks_pod_identity_association" "backend" {
  cluster_name    = module.eks.cluster_name
  namespace       = var.app_namespace
  service_account = "ecomm-backend"
  role_arn        = aws_iam_role.backend.arn
}

# --- migrations (prod/ecomm-migrate): the DB master secret, and the application role's secret
# (the Job sets that role's password) ------------------------------------------------------
resource "aws_iam_role" "migrate" {
  name               = "${var.name}-migrate"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_trust.json
}

data "aws_iam_policy_document" "migrate" {
  statement {
    sid       = "DatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_db_instance.main.master_user_secret[0].secret_arn, aws_secretsmanager_secret.db_app.arn]
  }
  statement {
    sid       = "DatabaseSecretKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.rds.arn]
  }
}

resource "aws_iam_role_policy" "migrate" {
  name   = "migrate"
  role   = aws_iam_role.migrate.id
  policy = data.aws_iam_policy_document.migrate.json
}

resource "aws_eks_pod_identity_association" "migrate" {
  cluster_name    = module.eks.cluster_name
  namespace       = var.app_namespace
  service_account = "ecomm-migrate"
  role_arn        = aws_iam_role.migrate.arn
}

# --- AWS Load Balancer Controller (kube-system/aws-load-balancer-controller) --------------
module "lb_controller_pod_identity" {
  # checkov:skip=CKV_TF_1: Terraform Registry module pinned to an exact version (registry versions are immutable); a git commit source would bypass the registry
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "1.10.0"

  name                            = "${var.name}-aws-lbc"
  attach_aws_lb_controller_policy = true

  associations = {
    this = {
      cluster_arn     = module.eks.cluster_arn
      cluster_name    = module.eks.cluster_name
      namespace       = "kube-system"
      service_account = "aws-load-balancer-controller"
    }
  }
}

# --- GitHub Actions through OIDC ----------------------------------------------------------
resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

data "aws_iam_policy_document" "github_release_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:ref:refs/tags/v*", "repo:${var.github_repository}:ref:refs/heads/main"]
    }
  }
}

data "aws_iam_policy_document" "github_deploy_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    # Only jobs bound to the protected `prod` environment.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:prod"]
    }
  }
}

resource "aws_iam_role" "github_release" {
  name                 = "${var.name}-github-release"
  assume_role_policy   = data.aws_iam_policy_document.github_release_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "github_release" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions
  }
  statement {
    sid = "EcrPush"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
      "ecr:DescribeImages", "ecr:DescribeImageScanFindings", "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
    ]
    resources = [for r in aws_ecr_repository.app : r.arn]
  }
  statement {
    sid       = "EcrKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.ecr.arn]
  }
}

resource "aws_iam_role_policy" "github_release" {
  name   = "ecr-push"
  role   = aws_iam_role.github_release.id
  policy = data.aws_iam_policy_document.github_release.json
}

resource "aws_iam_role" "github_deploy" {
  name                 = "${var.name}-github-deploy"
  assume_role_policy   = data.aws_iam_policy_document.github_deploy_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "github_deploy" {
  statement {
    sid       = "DescribeCluster"
    actions   = ["eks:DescribeCluster"]
    resources = [module.eks.cluster_arn]
  }
  statement {
    sid       = "ReadImages"
    actions   = ["ecr:DescribeImages"]
    resources = [for r in aws_ecr_repository.app : r.arn]
  }
  statement {
    sid       = "ChartValuesFromTerraform"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.chart_values.arn]
  }
}

resource "aws_iam_role_policy" "github_deploy" {
  name   = "eks-deploy"
  role   = aws_iam_role.github_deploy.id
  policy = data.aws_iam_policy_document.github_deploy.json
}
