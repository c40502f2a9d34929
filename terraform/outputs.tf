output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "ecr_repositories" {
  description = "ECR repository URLs."
  value       = { for k, r in aws_ecr_repository.app : k => r.repository_url }
}

output "database_endpoint" {
  description = "RDS endpoint (chart value backend.database.host)."
  value       = aws_db_instance.main.address
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
