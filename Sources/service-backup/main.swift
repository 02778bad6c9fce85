print("service-backup")
