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
  description = "Secrets Manager ARN of the RDS-managed master secret (chart value secrets.databaseSecretArn)."
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
