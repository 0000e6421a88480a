-- ARGV[3] the index key suffix ('of:<supervisor>', 'on:<node>', 'restarting'): its child records in order.
return records(base .. ARGV[3])
