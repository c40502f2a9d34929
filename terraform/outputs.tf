output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "ecr_repositories" {
  description = "ECR repository URLs."
  value       = { for k, r in aws_ecr_repository.app : k => r.repository_url }
}

output "database_endpoint" {
  description = "The RDS instance's own endpoint: the migration Job's (chart value backend.database.direct.host, published by terraform/chart_values.tf)."
  value       = aws_db_instance.main.address
}

output "database_proxy_endpoint" {
  description = "RDS Proxy endpoint: the serving pods' database host (chart value backend.database.host, published by terraform/chart_values.tf)."
  value       = aws_db_proxy.main.endpoint
}

output "waf_web_acl_arn" {
  description = "The shop's WAF web ACL (chart value ingress.wafv2AclArn, published by terraform/chart_values.tf)."
  value       = aws_wafv2_web_acl.shop.arn
}

output "chart_values_parameter" {
  description = "SSM parameter holding the chart values Terraform owns; deploy.yml passes it to helm after values-prod.yaml."
  value       = aws_ssm_parameter.chart_values.name
}

output "database_secret_arn" {
  description = "Secrets Manager ARN of the RDS-managed master secret (chart value secrets.migrationSecretArn)."
  value       = aws_db_instance.main.master_user_secret[0].secret_arn
}

output "media_bucket" {
  description = "S3 media bucket (chart value backend.storage.bucket)."
  value       = aws_s3_bucket.media.id
}

output "github_release_role_arn" {
  description = "Role assumed by release.yml through OIDC."
  value       = aws_iam_role.github_release.arn
}

output "github_deploy_role_arn" {
  description = "Role assumed by deploy.yml through OIDC (environment prod only)."
  value       = aws_iam_role.github_deploy.arn
}

output "alb_subnet_cidrs" {
  description = "Public subnets, where the internet-facing ALB's network interfaces live: the chart's backend.security.trustedProxies (the backend's --trusted-proxies) and networkPolicy.albSourceCidrs. scripts/verify/tf_chart.py holds values-prod.yaml equal to them."
  value       = module.vpc.public_subnets_cidr_blocks
}

output "vpc_endpoint_subnet_cidrs" {
  description = "Private subnets, where the VPC interface endpoints live: the chart's networkPolicy.vpcEndpointCidrs (the backend's only HTTPS destinations besides its egress proxy)."
  value       = module.vpc.private_subnets_cidr_blocks
}

output "database_subnet_cidrs" {
  description = "Database subnets: the chart's networkPolicy.databaseCidrs."
  value       = module.vpc.database_subnets_cidr_blocks
}

output "stripe_secret_arn" {
  description = "Full ARN of the Stripe secret key's secret (chart value backend.payments.stripeSecretArn)."
  value       = aws_secretsmanager_secret.stripe.arn
}
