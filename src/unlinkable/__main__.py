from unlinkable.cli import console

console()
