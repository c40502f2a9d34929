variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource (cluster name too)."
  type        = string
  default     = "ecomm-prod"
}

variable "azs" {
  description = "Three availability zones."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "vpc_cidr" {
  description = "VPC CIDR (the chart's networkPolicy values derive from it)."
  type        = string
  default     = "10.0.0.0/16"
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version (the offline gate validates manifests against it)."
  type        = string
  default     = "1.33"
}

variable "cluster_endpoint_allowed_cidrs" {
  description = "CIDRs allowed to reach the public EKS API endpoint (office/VPN egress)."
  type        = list(string)
  default     = ["203.0.113.0/24"]
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose workflows may assume the CI roles."
  type        = string
  default     = "ecomm/ecomm"
}

variable "alarm_email" {
  description = "On-call address subscribed to the alarm SNS topic."
  type        = string
  default     = "oncall@example.com"
}

variable "app_namespace" {
  description = "Kubernetes namespace of the shop."
  type        = string
  default     = "prod"
}

variable "db_instance_class" {
  description = "RDS instance class (Graviton)."
  type        = string
  default     = "db.r7g.large"
}
