# Negative fixture: a public, unencrypted database and a mutable, unscanned registry; also
# badly formatted on purpose (terraform fmt -check must flag it).
resource "aws_db_instance" "bad" {
  identifier = "bad"
  engine  = "postgres"
  instance_class      = "db.t4g.micro"
  publicly_accessible = true
  storage_encrypted   = false
  multi_az = false
  backup_retention_period = 0
}

resource "aws_ecr_repository" "bad" {
  name                 = "bad"
  image_tag_mutability = "MUTABLE"
}
