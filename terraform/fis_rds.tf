# The EKS twin of `ecomm-lab drill db-failover` (docs/runbook.md#drill-db-failover): a Multi-AZ
# failover of the database under real traffic. RDS promotes the synchronous standby and moves the
# instance's DNS name; RDS Proxy follows it, the pods keep their proxy endpoint. Stops on the 5xx alarm.
resource "aws_iam_role_policy" "fis_rds" {
  name = "fis-rds-failover"
  role = aws_iam_role.fis.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["rds:RebootDBInstance", "rds:DescribeDBInstances"]
      Resource = aws_db_instance.main.arn
    }]
  })
}

resource "aws_fis_experiment_template" "rds_failover" {
  description = "Reboot the database with failover (Multi-AZ): checkouts back within 30 s, no acknowledged order lost."
  role_arn    = aws_iam_role.fis.arn

  stop_condition {
    source = "aws:cloudwatch:alarm"
    value  = aws_cloudwatch_metric_alarm.alb_5xx.arn
  }

  target {
    name           = "database"
    resource_type  = "aws:rds:db"
    selection_mode = "ALL"
    resource_arns  = [aws_db_instance.main.arn]
  }

  action {
    name      = "reboot-with-failover"
    action_id = "aws:rds:reboot-db-instances"
    parameter {
      key   = "forceFailover"
      value = "true"
    }
    target {
      key   = "DBInstances"
      value = "database"
    }
  }

  tags = { Name = "${var.name}-rds-failover" }
}
