package job

// sysSyncfs is syncfs(2) on linux/arm64 (the syscall package has no name for it).
const sysSyncfs = 267
