# EKS across three AZs: a small Graviton system node group for cluster add-ons and Karpenter;
# everything else runs on Karpenter-provisioned Graviton (t4g) nodes (NodePool in the chart).
module "eks" {
  # checkov:skip=CKV_TF_1: Terraform Registry module pinned to an exact version (registry versions are immutable); a git commit source would bypass the registry
  source  = "terraform-aws-modules/eks/aws"
  version = "20.33.1"

  cluster_name    = var.name
  cluster_version = var.kubernetes_version

  vpc_id                   = module.vpc.vpc_id
  subnet_ids               = module.vpc.private_subnets
  control_plane_subnet_ids = module.vpc.private_subnets

  # Restricted endpoint: private access from the VPC; public access only from listed CIDRs.
  cluster_endpoint_private_access      = true
  cluster_endpoint_public_access       = true
  cluster_endpoint_public_access_cidrs = var.cluster_endpoint_allowed_cidrs

  cluster_enabled_log_types              = ["api", "audit", "authenticator"]
  cloudwatch_log_group_retention_in_days = 365
  cloudwatch_log_group_kms_key_id        = aws_kms_key.logs.arn

  # Kubernetes Secrets envelope-encrypted with a customer-managed key.
  create_kms_key = false
  cluster_encryption_config = {
    provider_key_arn = aws_kms_key.eks.arn
    resources        = ["secrets"]
  }

  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = false

  cluster_addons = {
    eks-pod-identity-agent = {
      addon_version = "v1.3.7-eksbuild.2"
    }
    vpc-cni = {
      addon_version  = "v1.19.5-eksbuild.1"
      before_compute = true
      # Network policy enforcement in the VPC CNI (the chart's NetworkPolicies rely on it).
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
        env = {
          ENABLE_PREFIX_DELEGATION = "true"
        }
      })
    }
    coredns = {
      addon_version = "v1.12.1-eksbuild.2"
    }
    kube-proxy = {
      addon_version = "v1.33.0-eksbuild.2"
    }
    aws-ebs-csi-driver = {
      addon_version = "v1.44.0-eksbuild.1"
      pod_identity_association = [{
        role_arn        = module.ebs_csi_pod_identity.iam_role_arn
        service_account = "ebs-csi-controller-sa"
      }]
    }
    amazon-cloudwatch-observability = {
      addon_version = "v4.1.0-eksbuild.1"
      pod_identity_association = [{
        role_arn        = module.cloudwatch_pod_identity.iam_role_arn
        service_account = "cloudwatch-agent"
      }]
    }
  }

  eks_managed_node_groups = {
    system = {
      ami_type       = "AL2023_ARM_64_STANDARD"
      instance_types = ["m7g.large"]
      min_size       = 3
      max_size       = 4
      desired_size   = 3
      subnet_ids     = module.vpc.private_subnets

      metadata_options = {
        http_endpoint               = "enabled"
        http_tokens                 = "required"
        http_put_response_hop_limit = 1
      }
      labels = {
        "ecomm.io/pool" = "system"
      }
      taints = {
        critical = {
          key    = "CriticalAddonsOnly"
          value  = "true"
          effect = "NO_SCHEDULE"
        }
      }
    }
  }

  node_security_group_tags = {
    "karpenter.sh/discovery" = var.name
  }

  access_entries = {
    github_deploy = {
      principal_arn     = aws_iam_role.github_deploy.arn
      kubernetes_groups = ["ecomm:deployers"]
    }
  }
}

# Karpenter: controller IAM (Pod Identity), node role, SQS interruption queue.
module "karpenter" {
  # checkov:skip=CKV_TF_1: Terraform Registry module pinned to an exact version (registry versions are immutable); a git commit source would bypass the registry
  source  = "terraform-aws-modules/eks/aws//modules/karpenter"
  version = "20.33.1"

  cluster_name = module.eks.cluster_name

  enable_v1_permissions           = true
  enable_pod_identity             = true
  create_pod_identity_association = true
  namespace                       = "karpenter"

  node_iam_role_use_name_prefix = false
  node_iam_role_name            = "${var.name}-karpenter-node"
  node_iam_role_additional_policies = {
    AmazonSSMManagedInstanceCore = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }
}

module "ebs_csi_pod_identity" {
  # checkov:skip=CKV_TF_1: Terraform Registry module pinned to an exact version (registry versions are immutable); a git commit source would bypass the registry
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "1.10.0"

  name                      = "${var.name}-ebs-csi"
  attach_aws_ebs_csi_policy = true
}

module "cloudwatch_pod_identity" {
  # checkov:skip=CKV_TF_1: Terraform Registry module pinned to an exact version (registry versions are immutable); a git commit source would bypass the registry
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "1.10.0"

  name                                       = "${var.name}-cloudwatch"
  attach_aws_cloudwatch_observability_policy = true
}
