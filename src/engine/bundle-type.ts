export type BundleType = 'zip' | 'tgz' | 'tar'
