# RDS Proxy in front of the instance: the serving pods' connections are multiplexed onto a pool
# the proxy keeps, sized below the instance's ceiling, and survive a Multi-AZ failover without
# waiting for DNS. What pins a session and what goes direct: docs/ecomm-architecture.md
# ("Through RDS Proxy").
#
# Connection budget (scripts/verify/tf_chart.py holds it to the chart's HPA and pool size):
#   demand   the active track at its HPA maximum, every pooled connection in a transaction at
#            once: 20 pods x 16 (ECOMM_DB_MAX_CONNECTIONS)                              = 320
#   pinned   one LISTEN session per pod on both tracks (2 x 20) + the reconciler's lease  =  41
#   total                                                                                 = 361
#   361 / 500 (max_connections, terraform/rds.tf) = 72.2 % -> max_connections_percent 75 (375).
#   The 125 left: the migration Job (direct, pool of 16 + one grant connection), operators,
#   monitoring and the superuser-reserved slots. The idle track takes no shopper traffic; during
#   a switch, demand above 375 waits up to connection_borrow_timeout instead of reaching RDS.
locals {
  db_max_connections   = 500
  backend_max_replicas = 20 # helm/ecomm/values-prod.yaml hpa.maxReplicas, per track
  backend_pool_size    = 16 # the backend's ECOMM_DB_MAX_CONNECTIONS default
  # Expected pinned sessions at the HPA maximum: the alarm fires well above it.
  db_proxy_pinned_expected = 2 * local.backend_max_replicas + 1
}

resource "aws_security_group" "db_proxy" {
  # checkov:skip=CKV2_AWS_5: attached to aws_db_proxy.main (vpc_security_group_ids), a resource type this check does not follow
  name_prefix = "${var.name}-db-proxy-"
  description = "RDS Proxy: PostgreSQL from EKS nodes, to the database only"
  vpc_id      = module.vpc.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "db_proxy_from_nodes" {
  security_group_id            = aws_security_group.db_proxy.id
  description                  = "PostgreSQL from EKS nodes and pods"
  referenced_security_group_id = module.eks.node_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "db_proxy_to_db" {
  security_group_id            = aws_security_group.db_proxy.id
  description                  = "PostgreSQL to the database"
  referenced_security_group_id = aws_security_group.db.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_ingress_rule" "db_from_proxy" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from RDS Proxy"
  referenced_security_group_id = aws_security_group.db_proxy.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

# The proxy logs in to the database with the application role's secret, the same one the serving
# pods read: nothing else.
data "aws_iam_policy_document" "db_proxy_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "db_proxy" {
  name               = "${var.name}-db-proxy"
  assume_role_policy = data.aws_iam_policy_document.db_proxy_trust.json
}

data "aws_iam_policy_document" "db_proxy" {
  statement {
    sid       = "DatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.db_app.arn]
  }
  statement {
    sid       = "DatabaseSecretKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.rds.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "db_proxy" {
  name   = "db-app-secret"
  role   = aws_iam_role.db_proxy.id
  policy = data.aws_iam_policy_document.db_proxy.json
}

# Created before the proxy so that its logs (pinning reasons among them) are encrypted and kept.
resource "aws_cloudwatch_log_group" "db_proxy" {
  name              = "/aws/rds/proxy/${var.name}"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.logs.arn
}

# Authentication: the application role's Secrets Manager secret, not IAM. The backend already
# reads that secret (username/password) through the CSI driver and sends it as SCRAM; IAM auth
# would need it to sign a token every 15 minutes, which it does not do yet. Proxy -> database is
# SCRAM too, with the password the migration Job sets on the role.
resource "aws_db_proxy" "main" {
  name           = var.name
  engine_family  = "POSTGRESQL"
  role_arn       = aws_iam_role.db_proxy.arn
  vpc_subnet_ids = module.vpc.database_subnets
  # The database subnets, next to the instance: the chart's NetworkPolicy (databaseCidrs) covers
  # both the proxy and the direct path of the migration Job.
  vpc_security_group_ids = [aws_security_group.db_proxy.id]
  require_tls            = true
  # Above sqlx's pool idle timeout (10 min): the pool, not the proxy, retires idle connections.
  # A LISTEN session with nothing to hear for this long is closed and reopened by the backend.
  idle_client_timeout = 1800
  debug_logging       = false

  auth {
    auth_scheme               = "SECRETS"
    secret_arn                = aws_secretsmanager_secret.db_app.arn
    iam_auth                  = "DISABLED"
    client_password_auth_type = "POSTGRES_SCRAM_SHA_256"
    description               = "ecomm_app, the application role (DML only)"
  }

  depends_on = [aws_cloudwatch_log_group.db_proxy, aws_iam_role_policy.db_proxy]
}

resource "aws_db_proxy_default_target_group" "main" {
  db_proxy_name = aws_db_proxy.main.name

  connection_pool_config {
    max_connections_percent = 75
    # Kept open while idle: at least the active track's demand at the HPA minimum
    # (5 pods x 16 = 80), so a quiet shop does not reconnect on its first burst.
    max_idle_connections_percent = 20
    # Seconds a client waits for a database connection before the proxy gives up: the same bound
    # as the backend's pool acquire timeout and statement_timeout (5 s), so a request that cannot
    # get the database answers 503 + Retry-After instead of hanging.
    connection_borrow_timeout = 5
    # Every SET the serving code sends is transaction-scoped (SET LOCAL, SET TRANSACTION), which
    # is what AWS requires for this filter to be safe; scripts/verify/proxy_sql.py fails on a
    # session-level SET in backend/src.
    session_pinning_filters = ["EXCLUDE_VARIABLE_SETS"]
  }
}

resource "aws_db_proxy_target" "main" {
  db_proxy_name          = aws_db_proxy.main.name
  target_group_name      = aws_db_proxy_default_target_group.main.name
  db_instance_identifier = aws_db_instance.main.identifier
}

resource "aws_cloudwatch_metric_alarm" "db_proxy_borrow_latency" {
  alarm_name          = "${var.name}-db-proxy-borrow-latency"
  alarm_description   = "Clients wait over 100 ms on average for a database connection from RDS Proxy for 3 minutes: the pool is at its ceiling, the database is slow to accept connections, or a failover is under way. Runbook: docs/runbook.md#rds-proxy (section \"RDS Proxy\")."
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnectionsBorrowLatency"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 3
  threshold           = 100000 # microseconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { ProxyName = aws_db_proxy.main.name }
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "db_proxy_pinned" {
  alarm_name          = "${var.name}-db-proxy-sessions-pinned"
  alarm_description   = "More sessions pinned to a database connection than the backend's LISTEN sessions (one per pod) and the reconciler's lease can explain, for 15 minutes: a statement pins that should not. Runbook: docs/runbook.md#rds-proxy (section \"RDS Proxy\")."
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnectionsCurrentlySessionPinned"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = local.db_proxy_pinned_expected + 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { ProxyName = aws_db_proxy.main.name }
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
