# Three AZs: public subnets (ALB, NAT), private subnets (nodes, pods), database subnets (RDS).
module "vpc" {
  # checkov:skip=CKV_TF_1: Terraform Registry module pinned to an exact version (registry versions are immutable); a git commit source would bypass the registry
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.17.0"

  name = var.name
  cidr = var.vpc_cidr
  azs  = var.azs

  public_subnets   = ["10.0.0.0/22", "10.0.4.0/22", "10.0.8.0/22"]
  private_subnets  = ["10.0.16.0/20", "10.0.32.0/20", "10.0.96.0/20"]
  database_subnets = ["10.0.48.0/20", "10.0.64.0/20", "10.0.80.0/20"]

  create_database_subnet_group       = true
  create_database_subnet_route_table = true

  enable_nat_gateway     = true
  one_nat_gateway_per_az = true
  enable_dns_hostnames   = true
  enable_dns_support     = true

  enable_flow_log                                 = true
  create_flow_log_cloudwatch_log_group            = true
  create_flow_log_cloudwatch_iam_role             = true
  flow_log_cloudwatch_log_group_retention_in_days = 365
  flow_log_cloudwatch_log_group_kms_key_id        = aws_kms_key.logs.arn

  manage_default_security_group  = true
  default_security_group_ingress = []
  default_security_group_egress  = []

  public_subnet_tags = {
    "kubernetes.io/role/elb" = 1
  }
  private_subnet_tags = {
    "kubernetes.io/role/internal-elb" = 1
    "karpenter.sh/discovery"          = var.name
  }
}

# AWS APIs inside the VPC, so the backend's NetworkPolicy needs no address outside it (HTTPS to
# the private subnets only; helm/ecomm networkPolicy.vpcEndpointCidrs = output
# vpc_endpoint_subnet_cidrs). Interface endpoints with private DNS answer the services' usual
# names with private addresses. S3 has one too, with private DNS for clients inside the VPC
# (not only for on-premises resolvers), because a gateway endpoint is reached at S3's public
# addresses, which a NetworkPolicy could only allow as "the internet". The gateway endpoint
# stays for anything that still resolves S3 publicly (no NAT charge, no internet path).
module "vpc_endpoints" {
  # checkov:skip=CKV_TF_1: Terraform Registry module pinned to an exact version (registry versions are immutable); a git commit source would bypass the registry
  source  = "terraform-aws-modules/vpc/aws//modules/vpc-endpoints"
  version = "5.17.0"

  vpc_id = module.vpc.vpc_id

  create_security_group      = true
  security_group_name_prefix = "${var.name}-vpce-"
  security_group_rules = {
    ingress_https = {
      description = "HTTPS from the VPC"
      cidr_blocks = [module.vpc.vpc_cidr_block]
    }
  }

  endpoints = {
    s3 = {
      service         = "s3"
      service_type    = "Gateway"
      route_table_ids = module.vpc.private_route_table_ids
    }
    s3_interface = {
      service             = "s3"
      service_type        = "Interface"
      private_dns_enabled = true
      dns_options         = { private_dns_only_for_inbound_resolver_endpoint = false }
      subnet_ids          = module.vpc.private_subnets
    }
    secretsmanager = {
      service             = "secretsmanager"
      private_dns_enabled = true
      subnet_ids          = module.vpc.private_subnets
    }
    sts = {
      service             = "sts"
      private_dns_enabled = true
      subnet_ids          = module.vpc.private_subnets
    }
    ecr_api = {
      service             = "ecr.api"
      private_dns_enabled = true
      subnet_ids          = module.vpc.private_subnets
    }
    ecr_dkr = {
      service             = "ecr.dkr"
      private_dns_enabled = true
      subnet_ids          = module.vpc.private_subnets
    }
    logs = {
      service             = "logs"
      private_dns_enabled = true
      subnet_ids          = module.vpc.private_subnets
    }
    xray = {
      service             = "xray"
      private_dns_enabled = true
      subnet_ids          = module.vpc.private_subnets
    }
    # Pod Identity: the node agent exchanges a pod's token for its role's credentials here.
    eks_auth = {
      service             = "eks-auth"
      private_dns_enabled = true
      subnet_ids          = module.vpc.private_subnets
    }
  }
}
