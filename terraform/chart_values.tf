# Chart values that only exist once Terraform has created them (an ARN with a generated id, the
# proxy's and the instance's host names) are not copied into helm/ecomm/values-prod.yaml by hand:
# Terraform publishes them as one values document in SSM Parameter Store, and deploy.yml layers it
# over values-prod.yaml (`-f values-prod.yaml -f <this document>`) in every `helm upgrade`.
# scripts/verify/tf_chart.py renders the chart with this document (each value a placeholder naming
# its Terraform attribute), fails if values-prod.yaml sets any of these keys itself, and checks
# that deploy.yml fetches and passes it.
locals {
  chart_values = {
    backend = {
      database = {
        # The serving pods: through RDS Proxy.
        host = aws_db_proxy.main.endpoint
        direct = {
          # The migration Job: the instance itself (docs/ecomm-architecture.md, "Through RDS Proxy").
          host = aws_db_instance.main.address
        }
      }
    }
    ingress = {
      wafv2AclArn = aws_wafv2_web_acl.shop.arn
    }
  }
}

resource "aws_ssm_parameter" "chart_values" {
  # checkov:skip=CKV2_AWS_34: not a secret: two host names and an ARN, the same that the rendered chart and the ALB's annotations show; a plain String spares the deploy role a KMS grant
  name        = "/${var.name}/helm/terraform-values"
  description = "helm/ecomm values owned by Terraform (YAML), layered over values-prod.yaml by deploy.yml"
  type        = "String"
  value       = yamlencode(local.chart_values)
}
