input 784
dense 64 relu name=code
dense 784 sigmoid
train:
	loss bce
	optimizer rmsprop rho=0.8 epsilon=1e-6
	schedule cosine min_lr=1e-6
	validation .05
